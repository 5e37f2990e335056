/** The error a call fails with (an SDK error's `name` is ECS's `__type`); fails the test if it succeeds. */
export async function failure(call: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await call;
  } catch (error) {
    return error as { name: string; message: string };
  }
  throw new Error("expected the call to fail");
}
