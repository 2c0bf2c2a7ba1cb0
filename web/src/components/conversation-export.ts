import type { ChatMessage, ConversationWithMessages } from '@app/common';

export interface ExportContext {
  botName: string;
  labelOf?: (modelId: string) => string;
}

const statusNote: Partial<Record<ChatMessage['status'], string>> = {
  stopped: 'stopped: the partial answer was kept',
  error: 'the answer failed',
  interrupted: 'interrupted: the partial answer was kept',
  streaming: 'still being written when exported',
};

/** A conversation as a Markdown document: a title, then each message under its author. */
export function conversationToMarkdown(
  conversation: ConversationWithMessages,
  context: ExportContext,
): string {
  const labelOf = context.labelOf ?? ((id: string) => id);
  const lines = [`# ${conversation.title || 'Untitled conversation'}`, ''];
  lines.push(`*${context.botName} · ${new Date(conversation.createdAt).toISOString().slice(0, 10)}*`, '');
  for (const message of conversation.messages) {
    if (message.role === 'user') {
      lines.push('## You', '', message.content, '');
      continue;
    }
    const model = message.answeredBy ?? message.model;
    lines.push(
      `## ${context.botName}${model ? ` (${labelOf(model)})` : ''}`,
      '',
      message.content || '*(no text)*',
    );
    const note = statusNote[message.status];
    if (note) lines.push('', `> *${note}*`);
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The conversation as the server read it, wrapped with what it is, for a file someone keeps. */
export function conversationToJson(conversation: ConversationWithMessages, context: ExportContext): string {
  return `${JSON.stringify(
    { format: 'chatbot-builder.conversation', version: 1, chatbot: { name: context.botName }, conversation },
    null,
    2,
  )}\n`;
}

/** A file name from the title: lower case, words joined by dashes, no path characters. */
export function exportFileName(title: string, extension: 'md' | 'json'): string {
  const base =
    title
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60)
      .replace(/-+$/, '') || 'conversation';
  return `${base}.${extension}`;
}

/** Saves text as a download (a Blob URL, no server round trip). */
export function downloadText(fileName: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
