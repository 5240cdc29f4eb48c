/** JSON over HTTP for the tests that call the relayer's API: the status and the parsed body. */
// The bodies are whatever the API answered: each test asserts the fields it reads.
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}
