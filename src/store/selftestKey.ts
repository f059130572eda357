// Where the kernel self-test's last report is kept in localStorage: the store writes it; the GPU panel's launcher
// looks for it to load the self-test at once (a module of its own, so that looking does not load the store).
export const SELFTEST_KEY = 'masklab.selftest';
