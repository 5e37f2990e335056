import type { Page, PageRequest } from "../store/port.ts";

/** Every item of a store list, page after page (a cursor is exclusive, so none is lost or repeated). */
export async function* everyItem<T>(list: (page: PageRequest) => Promise<Page<T>>, limit = 100): AsyncGenerator<T> {
  let after: string | undefined;
  do {
    const page = await list({ limit, after });
    yield* page.items;
    after = page.next;
  } while (after !== undefined);
}
