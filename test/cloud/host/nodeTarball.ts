import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

let packed: Promise<string> | undefined;

/**
 * A tarball shaped as nodejs.org's Linux ones (`node-vX-linux-ARCH/bin/node`, xz), which the
 * hosts' curl stand-in (machine/bin/curl) serves for the user-data's download of Node. Made from
 * the Node running the tests, not the release infra/agentHosts.ts names (no download here): the
 * same major (the stand-in checks), perhaps another patch release. Only bin/node, all the agent
 * needs. Packing takes some 20 s on a busy 2-CPU machine, so it is kept in the temporary directory
 * for the next runs on the same Node; resolves to its path.
 */
export const nodeTarball = (): Promise<string> => {
  packed ??= pack();
  return packed;
};

async function pack(): Promise<string> {
  const top = `node-${process.version}-linux-${process.arch}`;
  const tarball = join(tmpdir(), "berth-node-tarballs", `${top}.tar.xz`);
  if (existsSync(tarball)) return tarball;
  const staging = mkdtempSync(join(tmpdir(), "berth-node-"));
  try {
    mkdirSync(join(staging, top, "bin"), { recursive: true });
    symlinkSync(realpathSync(process.execPath), join(staging, top, "bin", "node"));
    // -h: the binary, not the link to it. xz's fastest preset: it is only a test's tarball.
    const env = { ...process.env, XZ_OPT: "-0 -T0" };
    await promisify(execFile)("tar", ["-chJf", join(staging, "node.tar.xz"), "-C", staging, top], { env });
    mkdirSync(join(tarball, ".."), { recursive: true });
    // Whole or not at all, for a run that stops half-way.
    renameSync(join(staging, "node.tar.xz"), tarball);
    return tarball;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
