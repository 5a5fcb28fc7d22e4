import { clip, McpToolError, McpToolErrorCode } from './mcp-tool-error.js';

/** The most of a tool's answer Baton records (it travels in step envelopes and the run history). */
export const MAX_OUTPUT_BYTES = 256 * 1024;

/**
 * A tool's answer as the step's result: its `structuredContent` when it has one; else its text,
 * parsed when it is one JSON object (what most servers send); else `{ text }`. An answer
 * flagged `isError` is the tool failing (McpToolError `tool-failed`, with the server's text).
 */
export function toolOutput(result: Record<string, unknown>, at: string): Record<string, unknown> {
  const text = texts(result['content']);
  if (result['isError'] === true)
    throw new McpToolError(
      McpToolErrorCode.ToolFailed,
      `${at}: the tool reported an error${text ? `: ${clip(text)}` : ''}`,
    );
  const structured = result['structuredContent'];
  const output = isObject(structured) ? structured : (parsedObject(text) ?? { text });
  if (Buffer.byteLength(JSON.stringify(output)) > MAX_OUTPUT_BYTES)
    throw new McpToolError(
      McpToolErrorCode.OutputTooLarge,
      `${at}: the answer is larger than ${MAX_OUTPUT_BYTES} bytes`,
    );
  return output;
}

function texts(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content
    .filter((item) => isObject(item) && item['type'] === 'text' && typeof item['text'] === 'string')
    .map((item) => (item as { text: string }).text)
    .join('\n');
}

function parsedObject(text: string): Record<string, unknown> | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
