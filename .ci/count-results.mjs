// Sums vitest JSON reports into the one closing line CI reads. A report that
// is missing (its run never got to vitest) counts as one failure, so a run
// that executed nothing cannot look green.
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    console.error(`missing test report: ${file}`);
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0) - countSuitesWithFailedTests(report);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);

// A suite that failed to load has no failed tests; count it once, not twice.
function countSuitesWithFailedTests(report) {
  return (report.testResults ?? []).filter((suite) => suite.status === 'failed' && suite.assertionResults?.some((test) => test.status === 'failed')).length;
}
