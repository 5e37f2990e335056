/**
 * Pulls of one image that overlap share one call to the runtime: the tasks of a service scaling
 * up all pull the same image at once, and Docker serves a burst of pulls of one reference one
 * after another (50 pulls took 15 s on a busy 2-core host, one took 40 ms). A task that joins a
 * pull under way gets the image as the registry had it when that pull began, a moment before its
 * own step; once the pull ends, the next task to ask pulls again, as ECS_IMAGE_PULL_BEHAVIOR says.
 */
export function sharedPulls(pull: (image: string) => Promise<void>): (image: string) => Promise<void> {
  const inFlight = new Map<string, Promise<void>>();
  return (image) => {
    let shared = inFlight.get(image);
    if (!shared) {
      shared = pull(image).finally(() => inFlight.delete(image));
      inFlight.set(image, shared);
    }
    return shared;
  };
}
