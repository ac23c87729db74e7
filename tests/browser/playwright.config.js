// Playwright for the console's browser tests: Debian's Chromium, headless,
// one worker (the tests share two daemons and run in order), 1366x768.
const { defineConfig } = require('@playwright/test');

module.exports = defineConfig({
  testDir: __dirname,
  testMatch: /.*\.spec\.js$/,
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 30000,
  reporter: [['list']],
  outputDir: process.env.SHOTS ? require('path').join(process.env.SHOTS, '..', 'playwright-results') : undefined,
  use: {
    viewport: { width: 1366, height: 768 },
    launchOptions: { executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'] },
    headless: true,
  },
});
