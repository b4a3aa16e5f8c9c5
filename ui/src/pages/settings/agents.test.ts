import { describe, expect, test } from 'vitest';
import { mcpConfig, mcpUrl, waitExample } from './agents';

describe('agents', () => {
  test('the MCP URL is on the API origin', () => {
    expect(mcpUrl('http://127.0.0.1:4781')).toBe('http://127.0.0.1:4781/mcp');
  });
  test('the stdio config runs hooklens mcp', () => {
    expect(JSON.parse(mcpConfig())).toEqual({ mcpServers: { hooklens: { command: 'hooklens', args: ['mcp'] } } });
  });
  test('the wait example names the event type, the timeout and no token', () => {
    const example = waitExample('http://127.0.0.1:4781', 'payment_intent.*');
    expect(example).toContain("'http://127.0.0.1:4781/api/v1/requests/wait?event_type=payment_intent.*&timeout_ms=30000'");
    expect(example).toContain('$(cat ~/.local/share/hooklens/api-token)');
  });
});
