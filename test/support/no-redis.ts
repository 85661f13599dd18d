/** For core-only runs: any Redis connection goes to a closed port and fails at once. */
process.env['REWIND_TEST_REDIS_URL'] = 'redis://127.0.0.1:1';
