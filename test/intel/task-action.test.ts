// scheduled_tasks.action as osquery 5.23.1 builds it
// (osquery/tables/system/windows/scheduled_tasks.cpp, genScheduledTasks):
// for each IExecAction, WorkingDirectory + L" " + Path + L" " + Arguments,
// both spaces whatever is empty; the actions joined with ","; COM-handler
// actions skipped. The vendor catalog, the scenarios and the replay corpus
// all build their actions with osqueryTaskAction, so this shape is theirs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { osqueryTaskAction } from '../../src/intel/task-action.js';

test('both separating spaces are always there; actions join with a comma', () => {
  assert.is(osqueryTaskAction(['', 'C:\\x.exe', '']), ' C:\\x.exe ');
  assert.is(
    osqueryTaskAction(['', '%windir%\\system32\\defrag.exe', '-c -h']),
    ' %windir%\\system32\\defrag.exe -c -h',
  );
  assert.is(osqueryTaskAction(['C:\\w\\', '"C:\\w\\a.exe"', '']), 'C:\\w\\ "C:\\w\\a.exe" ');
  assert.is(osqueryTaskAction(['', 'a.exe', '1'], ['D:\\', 'b.exe', '']), ' a.exe 1,D:\\ b.exe ');
  assert.is(osqueryTaskAction(), '', 'a task with only COM-handler actions has an empty action');
});

test.run();
