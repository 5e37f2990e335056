import type { ContainerDefinition, RegisterTaskDefinitionRequest, Tag, TaskDefinition } from "@aws-sdk/client-ecs";

/**
 * Images in task definitions (pure). A reference is `repository[:tag][@digest]`; the repository
 * may carry a registry host with a port (`host:5000/app`), so the tag is what follows the last
 * colon after the last slash.
 */
export interface ImageRef {
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImage(image: string): ImageRef {
  const [name, digest] = image.split("@", 2);
  const slash = name.lastIndexOf("/");
  const colon = name.lastIndexOf(":");
  const tagged = colon > slash;
  return {
    repository: tagged ? name.slice(0, colon) : name,
    tag: tagged ? name.slice(colon + 1) : undefined,
    ...(digest && { digest }),
  };
}

/** Whether `image` is `repository:tag` (at any digest; an untagged image is `latest`). */
export function usesTag(image: string, repository: string, tag: string): boolean {
  const ref = parseImage(image);
  return ref.repository === repository && (ref.tag ?? "latest") === tag;
}

/**
 * The image a push rolls to: the tag, pinned to the pushed digest. Docker pulls by the digest
 * (the tag is then only a label), so every task of the new revision runs exactly what was
 * pushed, even if the tag moves again before they start.
 */
export const pinned = (repository: string, tag: string, digest: string) => `${repository}:${tag}@${digest}`;

/**
 * The registration of a new revision like `td` with some containers' images replaced (by
 * name). Read-only fields (ARN, revision, status, registration) are dropped by
 * RegisterTaskDefinition itself, which keeps only the request's members.
 */
export function withImages(
  td: TaskDefinition,
  tags: Tag[],
  images: Map<string, string>,
): RegisterTaskDefinitionRequest {
  const containerDefinitions = (td.containerDefinitions ?? []).map(
    (c): ContainerDefinition => (images.has(c.name as string) ? { ...c, image: images.get(c.name as string) } : c),
  );
  return { ...(td as RegisterTaskDefinitionRequest), containerDefinitions, ...(tags.length > 0 && { tags }) };
}
