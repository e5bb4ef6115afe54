import { commandOfPayload, detectCommand } from './commands';

describe('detectCommand', () => {
  it.each(['STOP', 'stop', 'Arrêt', 'ARRET', 'arrêt !', 'DÉSABONNER', 'unsubscribe', 'Stop deals'])(
    'recognises %s as stop',
    (text) => expect(detectCommand(text)).toBe('stop'),
  );

  it.each(['START', 'Démarrer'])('recognises %s as start', (text) => expect(detectCommand(text)).toBe('start'));

  it.each(['promos près de moi', 'Des promos pres de moi ?', 'any deals near me?', 'deals nearby'])(
    'recognises %s as a request for nearby deals',
    (text) => expect(detectCommand(text)).toBe('nearby'),
  );

  it('does not read stop into ordinary sentences', () => {
    expect(detectCommand("don't stop the music")).toBeNull();
    expect(detectCommand('hello')).toBeNull();
    expect(detectCommand('')).toBeNull();
  });

  it('maps the bot buttons', () => {
    expect(commandOfPayload('STOP_DEALS')).toBe('stop');
    expect(commandOfPayload('GET_STARTED')).toBe('nearby');
    expect(commandOfPayload('SOMETHING')).toBeNull();
  });
});
