import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * Every relative link in the repository's Markdown (the README, docs/, each folder's README) names
 * a file or folder that exists and, after `#`, a heading of that page, as GitHub makes anchors.
 */
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith(".") || entry.name === "node_modules") return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith(".md") ? [path] : [];
  });
}

/** The text outside fenced code blocks and code spans, where links live. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const [, text] of markdown.replace(/^```[\s\S]*?^```/gm, "").matchAll(/^#{1,6} (.*)$/gm)) {
    const slug = text
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    found.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return found;
}

function brokenLinks(file: string): string[] {
  const broken: string[] = [];
  for (const [, target] of prose(readFileSync(file, "utf8")).matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
    const [path, anchor] = target.split("#");
    const resolved = path ? resolve(dirname(file), path) : file;
    const where = `${relative(ROOT, file)}: ${target}`;
    if (!existsSync(resolved)) broken.push(`${where} (no such file)`);
    else if (anchor !== undefined) {
      if (statSync(resolved).isDirectory() || !resolved.endsWith(".md")) broken.push(`${where} (not a page)`);
      else if (!anchors(readFileSync(resolved, "utf8")).has(anchor)) broken.push(`${where} (no such heading)`);
    }
  }
  return broken;
}

describe("the docs' links", () => {
  it("makes anchors as GitHub does", () => {
    const page =
      "# Access: keys, policies, agents\n## On a host: `berth agent`\n```sh\n# not a heading\n```\n## Steps\n## Steps\n";
    expect([...anchors(page)]).toEqual(["access-keys-policies-agents", "on-a-host-berth-agent", "steps", "steps-1"]);
  });

  const files = markdownFiles(ROOT);
  it("finds the README and the docs", () => {
    const names = files.map((file) => relative(ROOT, file));
    expect(names).toContain("README.md");
    expect(names).toContain(join("docs", "README.md"));
  });

  it.each(files.map((file) => [relative(ROOT, file), file]))("%s: every relative link resolves", (_, file) => {
    expect(brokenLinks(file)).toEqual([]);
  });
});
