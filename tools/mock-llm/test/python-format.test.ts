import { describe, expect, it } from 'vitest';
import { pythonFloat, pythonJsonDumps, pythonRepr } from '../src/python-format.js';

describe('Python formatting (as LiteLLM writes values)', () => {
  it('spells floats as repr() does', () => {
    expect(pythonFloat(2.28e-5)).toBe('2.28e-05');
    expect(pythonFloat(0.000213)).toBe('0.000213');
    expect(pythonFloat(7.59e-5)).toBe('7.59e-05');
    expect(pythonFloat(1e-7)).toBe('1e-07');
    expect(pythonFloat(1_047_576)).toBe('1047576.0');
    expect(pythonFloat(2)).toBe('2.0');
    expect(pythonFloat(0)).toBe('0.0');
    expect(pythonFloat(1e16)).toBe('1e+16');
  });

  it("dumps JSON with json.dumps' defaults: spaces after separators, ASCII only", () => {
    expect(pythonJsonDumps({ error: { message: 'a "b" é', type: null, code: '503' } })).toBe(
      '{"error": {"message": "a \\"b\\" \\u00e9", "type": null, "code": "503"}}',
    );
    expect(pythonJsonDumps([1, 2.5, true])).toBe('[1, 2.5, true]');
  });

  it('writes repr() of the router fallbacks', () => {
    expect(pythonRepr([{ 'claude-default': ['chat-default'] }])).toBe(
      "[{'claude-default': ['chat-default']}]",
    );
    expect(pythonRepr([null, true, "it's"])).toBe('[None, True, "it\'s"]');
  });
});
