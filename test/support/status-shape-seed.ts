/** Jest setup of the seed-shape project: every demo service a matrix test starts answers in seed 004's minimal shape. */
process.env['REWIND_TEST_STATUS_SHAPE'] = 'seed';
