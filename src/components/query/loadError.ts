/** Why a picker's options could not be loaded, and what still works. */
export function describeLoadError(error: unknown, what: string): string {
  const kind = (error as { kind?: string } | undefined)?.kind;
  switch (kind) {
    case 'scope':
      return `${what} could not be listed: the admin key lacks the Management API read scope (api.management.read). Type IDs instead.`;
    case 'auth':
    case 'notAdminKey':
      return `${what} could not be listed: the key was refused. Check the admin key in the data source settings.`;
    case 'rateLimit':
      return `${what} could not be listed: OpenAI is rate limiting. Reopen the editor in a minute, or type IDs.`;
    case 'network':
      return `${what} could not be listed: the API endpoint is unreachable.`;
    default: {
      const message = error instanceof Error ? error.message : undefined;
      return `${what} could not be listed${message ? `: ${message}` : ''}. Type IDs instead.`;
    }
  }
}
