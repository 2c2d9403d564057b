/**
 * What kind of event a token is, for reporting the loss by kind ("the model predicts pitches well
 * and rhythm badly"): the event name of an events token, note / chord / rest for notes and chords,
 * silence / note / chord for frames.
 */
export function tokenType(encoding: string, token: string): string {
  if (token.startsWith('<')) return 'special';
  switch (encoding) {
    case 'events':
      return token.split('_')[0]!;
    case 'notes-chords': {
      const body = token.split(':')[0]!;
      if (body === 'R') return 'rest';
      return /^\d+(\.\d+)+$/.test(body) || body.includes('.') ? 'chord' : 'note';
    }
    case 'frame-pitches':
      return token === '|' ? 'frame end' : token.endsWith('+') ? 'struck pitch' : 'held pitch';
    case 'frames':
      return token === 'e' ? 'silence' : token.includes(',') ? 'chord' : 'note';
    default:
      return token.split(/[_:]/)[0] ?? token;
  }
}
