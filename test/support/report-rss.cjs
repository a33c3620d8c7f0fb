// Preloaded into CLI child processes by tests (`node --require`): reports the process's peak RSS on
// exit, so tests can assert memory stays bounded on hostile input without OS-specific tools.
process.on('exit', () => {
  process.stderr.write(`\n[peak-rss-kb ${process.resourceUsage().maxRSS}]\n`);
});
