// The path tests the pack runs on scheduled task actions and WMI consumer
// bodies (src/pack/render-folders.ts), run in SQLite on the spellings Windows
// opens as the same path, on paths whose folder cannot be told, and on
// ordinary actions that must stay quiet.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { foldPath, namesPath, pathObscured, userWritableIn } from '../../src/pack/render-folders.js';

const db = new Database(':memory:');
// Each test as a marker renders it on its own, and on a column folded once beforehand (as the pack's query does).
const both = (test: (folded: boolean) => string, params: string) =>
  [false, true].map((folded) =>
    db.prepare(
      `SELECT ${test(folded)} AS v FROM (SELECT ${folded ? `${foldPath('a0')} AS a` : 'a0 AS a'}, p FROM (SELECT ${params})) AS x`,
    ),
  );
const writable = both((f) => userWritableIn('x.a', f), '? AS a0, NULL AS p');
const obscured = both((f) => pathObscured('x.a', f), '? AS a0, NULL AS p');
const names = both((f) => namesPath('x.a', 'x.p', f), '? AS a0, ? AS p');
/** The answer, the same whether the marker folded the text itself or was handed it folded. */
const ask = (s: Database.Statement[], ...args: string[]) => {
  const [own, handed] = s.map((q) => (q.get(...args) as { v: number }).v);
  assert.is(own, handed, `folded by the marker or beforehand: ${args.join(' | ')}`);
  return own === 1;
};
/** Every `yes` text answers 1 and every `no` text 0. */
function judges(s: Database.Statement[], yes: readonly string[], no: readonly string[]): void {
  for (const a of yes) assert.ok(ask(s, a), a);
  for (const a of no) assert.not.ok(ask(s, a), a);
}

test('a user-writable folder counts in every spelling Windows opens as the same path', () => {
  judges(
    writable,
    [
      ' C:\\Users\\Public\\Libraries\\x\\upd.exe --config c.json',
      ' %SystemDrive%\\Users\\Public\\x.exe',
      ' %HOMEDRIVE%\\ProgramData\\x\\x.exe',
      ' C:/ProgramData/WinSvc/wsvc.exe',
      ' C:\\\\ProgramData\\\\x.exe',
      ' "C:\\\\\\\\Users\\\\\\\\bob\\\\x.exe"',
      ' \\\\localhost\\C$\\Users\\Public\\x.exe',
      ' \\\\?\\C:\\Windows\\Temp\\x.exe',
      '%LOCALAPPDATA%\\x %LOCALAPPDATA%\\x\\x.exe',
      ' %HOMEDRIVE%%HOMEPATH%\\AppData\\Roaming\\x\\m.exe ',
      ' %OneDrive%\\m.exe ',
      ' %windir%\\Temp\\m.exe ',
      ' %SystemRoot%\\Tasks\\m.exe ',
      ' C:\\Windows\\System32\\spool\\drivers\\color\\m.exe ',
      'C:\\ Users\\alice\\AppData\\Roaming\\x\\m.exe ',
      ' cmd /c C:\\"Users"\\alice\\m.exe ',
      ' cmd /c C:\\U^sers\\alice\\m.exe ',
      ' \\Users\\alice\\AppData\\Roaming\\x\\m.exe ',
      ' \\Windows\\Tasks\\m.exe ',
      ' C:\\Documents and Settings\\alice\\AppData\\Roaming\\x\\m.exe ',
      ' powershell.exe -w hidden -c "& $env:APPDATA\\svcupdate\\svcupdate.exe" ',
      ' powershell.exe -c & ~\\AppData\\x.exe ',
      ' cmd.exe /c cd /d %APPDATA:~0%&svcupdate\\svcupdate.exe ',
      ' C:\\\\ Users\\alice\\m.exe ',
    ],
    [
      ' %windir%\\system32\\rundll32.exe /d srrstr.dll,ExecuteScheduledSPPCreation',
      'C:\\Program Files\\Vendor "C:\\Program Files\\Vendor\\agent.exe" --sync',
      ' %ProgramFiles%\\Windows Defender\\MpCmdRun.exe -IdleTask -TaskName WdCacheMaintenance',
      ' C:\\Windows\\System32\\sc.exe start w32time task_started',
    ],
  );
});

test('a path whose folder cannot be told is obscured; ordinary actions are not', () => {
  judges(
    obscured,
    [
      ' C:\\Windows\\..\\Users\\Public\\x.exe',
      'C:\\Windows\\System32 ..\\..\\ProgramData\\WinSvc\\wsvc.exe',
      ' C:\\.\\ProgramData\\x.exe',
      ' C:\\PROGRA~3\\x\\upd.exe',
      ' C:\\Tools\\MINER~1.EXE',
      // More doubled separators than foldPath() folds.
      ` C:${'\\'.repeat(16)}Users\\x.exe`,
      ' C:\\Users.\\alice\\m.exe ',
      ' C:\\ProgramData.\\x\\m.exe ',
      ' \\\\?\\GLOBALROOT\\Device\\HarddiskVolume3\\Users\\a\\m.exe ',
      ' \\\\?\\Volume{0b1d5c6e-0000-0000-0000-100000000000}\\ProgramData\\m.exe ',
      ' %X%\\m.exe ',
      ' %MyTools%\\bin\\m.exe ',
    ],
    [
      ' %windir%\\system32\\rundll32.exe /d srrstr.dll,ExecuteScheduledSPPCreation',
      'C:\\Program Files\\Vendor "C:\\Program Files\\Vendor\\agent.exe" --sync',
      ' C:/Program Files/App/app.exe --url https://example.com/a/b',
      ' \\\\fileserver\\share\\tools\\inventory.exe /quiet',
      ' C:\\Program Files (x86)\\App\\app.exe.',
      ' "C:\\Program Files\\Microsoft SQL Server\\Client SDK\\ODBC\\170\\Tools\\Binn\\SQLCMD.EXE" -S np:\\\\.\\pipe\\MSSQL$SQLEXPRESS\\sql\\query ',
      ' C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MpCmdRun.exe -File \\\\.\\C: ',
      ' %ProgramFiles%\\App\\app.exe --feed https://example.com/~1234/feed ',
      ' %CommonProgramFiles%\\Vendor\\upd.exe %20done ',
      'C:\\Program Files\\Vendor .\\agent.exe --sync',
      ' %windir%\\system32\\cmd.exe /c echo %date% > %temp%\\log.txt ',
      ' %LOGONSERVER%\\NETLOGON\\logon.bat ',
      ' powershell.exe -File \\\\%USERDNSDOMAIN%\\SYSVOL\\x\\s.ps1 ',
      ' C:\\Program Files\\nodejs\\npm.cmd install pkg@~1.2.0 ',
    ],
  );
});

test('an action names a busy binary through the same spellings, the drive variables as its own drive', () => {
  const path = 'D:\\ProgramData\\WinSvc\\wsvc.exe';
  for (const a of [
    ' D:\\ProgramData\\WinSvc\\wsvc.exe',
    ' %SystemDrive%\\ProgramData\\WinSvc\\wsvc.exe',
    ' d:/programdata/winsvc/wsvc.exe -o x',
    ' %ProgramData%\\WinSvc\\wsvc.exe',
  ])
    assert.ok(ask(names, a, path), a);
  assert.not.ok(ask(names, ' C:\\ProgramData\\WinSvc\\other.exe', path));
  // %temp% is the user's own Temp for a user's task, Windows' for SYSTEM's: either busy binary is named.
  assert.ok(ask(names, ' %TEMP%\\m.exe ', 'C:\\Users\\a\\AppData\\Local\\Temp\\m.exe'));
  assert.ok(ask(names, ' %TEMP%\\m.exe ', 'C:\\Windows\\Temp\\m.exe'));
  // From the root of the current drive, and through PowerShell's and cmd's spellings of a variable.
  assert.ok(ask(names, ' \\ProgramData\\WinSvc\\wsvc.exe ', path));
  assert.not.ok(ask(names, ' E:\\ProgramData\\WinSvc\\wsvc.exe', path));
});

test.run();
