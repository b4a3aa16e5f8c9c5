// What a coding agent or a test suite needs to reach this Hooklens, from the API's origin.
// Nothing secret: the token stays in the data directory's `api-token` file.

/** The MCP endpoint over Streamable HTTP (it wants `Authorization: Bearer <token>`). */
export function mcpUrl(apiUrl: string): string {
  return `${apiUrl}/mcp`;
}

/** An agent's `mcpServers` entry that runs `hooklens mcp` over stdio. */
export function mcpConfig(): string {
  return JSON.stringify({ mcpServers: { hooklens: { command: 'hooklens', args: ['mcp'] } } }, null, 2);
}

/** A test suite's wait for the next `event_type` webhook, as a curl command. */
export function waitExample(apiUrl: string, eventType = 'order.created'): string {
  const query = new URLSearchParams({ event_type: eventType, timeout_ms: '30000' });
  return `curl -H "Authorization: Bearer $(cat ~/.local/share/hooklens/api-token)" '${apiUrl}/api/v1/requests/wait?${query}'`;
}
