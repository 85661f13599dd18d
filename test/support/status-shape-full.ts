/** Jest setup of the default project: demo services answer with the full status (state and environments map). */
process.env['REWIND_TEST_STATUS_SHAPE'] = 'full';
