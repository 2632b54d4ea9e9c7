// Runs only the jest example (the repository's own tests are mocha's).
'use strict';
module.exports = { rootDir: __dirname, testMatch: ['<rootDir>/jest.test.cjs'], testEnvironment: 'node' };
