// Programs whose CPU is someone else's code: script interpreters, DLL and
// assembly loaders, service and task hosts. Their signature says who wrote the
// host, not who wrote what burns the CPU (a PowerShell miner, a miner DLL in
// rundll32 or a service DLL in svchost), so a trusted signature never vouches
// for them (docs/siem.md, "What lowers a score"). Lower-case file names; the
// pack's SQL is rendered from this list (render.ts, marker @code_host).

/**
 * Windows' own binaries that LOLBAS documents loading or running code they
 * are handed (a DLL, an INF, a script, a .NET assembly, a command line): each
 * is in the LOLBAS lookup the location catalog is generated from
 * (LOLBAS_LOCATIONS; test/intel/vendor-components.test.ts checks). Only these:
 * compressors and downloaders on that list (makecab, tar, bitsadmin) run no
 * one else's code, and a signed one busy in a backup task is what it says.
 */
export const LOLBAS_CODE_HOSTS: readonly string[] = [
  'wuauclt.exe', // /UpdateDeploymentProvider <dll>
  'odbcconf.exe', // /a {REGSVR <dll>}
  'mavinject.exe',
  'msdt.exe',
  'pcalua.exe',
  'pcwrun.exe',
  'presentationhost.exe',
  'ieexec.exe',
  'cmstp.exe',
  'control.exe',
  'rasautou.exe',
  'register-cimprovider.exe',
  'verclsid.exe',
  'xwizard.exe',
  'runexehelper.exe',
  'scriptrunner.exe',
  'syncappvpublishingserver.exe',
  'gpscript.exe',
  'devtoolslauncher.exe',
  'dfsvc.exe',
  'addinutil.exe',
  'aspnet_compiler.exe',
  'microsoft.workflow.compiler.exe',
  'atbroker.exe',
  'customshellhost.exe',
  'infdefaultinstall.exe',
  'mmc.exe',
  'ttdinject.exe',
  'tttracer.exe',
  'forfiles.exe',
  'runonce.exe',
  'wsl.exe',
  'bash.exe',
];

export const CODE_HOSTS: readonly string[] = [
  'powershell.exe',
  'powershell_ise.exe',
  'pwsh.exe',
  'cmd.exe',
  'wscript.exe',
  'cscript.exe',
  'mshta.exe',
  'rundll32.exe',
  'regsvr32.exe',
  'svchost.exe',
  'dllhost.exe',
  'taskhostw.exe',
  'taskhost.exe',
  'msbuild.exe',
  'installutil.exe',
  'regasm.exe',
  'regsvcs.exe',
  'msiexec.exe',
  'wmic.exe',
  'python.exe',
  'pythonw.exe',
  'node.exe',
  'java.exe',
  'javaw.exe',
  'dotnet.exe',
  'conhost.exe',
  ...LOLBAS_CODE_HOSTS,
];

/** Whether an image path ends in `\\<code host>` (ASCII case-insensitive, as SQL's lower()). */
export function isCodeHost(path: string): boolean {
  const p = path.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const cut = p.lastIndexOf('\\');
  return cut >= 0 && CODE_HOSTS.includes(p.slice(cut + 1));
}
