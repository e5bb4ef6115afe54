import { EventValidationError } from '@app/contracts';
import { QueryFailedError } from 'typeorm';
import { PermanentEventError, TransientError, classifyFailure } from './failure-policy';

/** What node-postgres throws, as TypeORM wraps it (its fields copied onto QueryFailedError). */
const postgresError = (code: string, message: string) =>
  new QueryFailedError('INSERT …', [], Object.assign(new Error(message), { code, severity: 'ERROR' }));

describe('classifyFailure', () => {
  it.each([
    ['an event that breaks its contract', 'invalid', new EventValidationError('delivery.status.v1', [{ path: ['brandId'], message: 'required' }] as never)],
    ['a domain error that will fail the same way', 'permanent', new PermanentEventError('unknown_store', 'no such store')],
    ['a value its Postgres column cannot hold (22P02, a brandId that is not a UUID)', 'permanent', postgresError('22P02', 'invalid input syntax for type uuid: "b1"')],
    ['a Postgres datetime out of range (22008)', 'permanent', postgresError('22008', 'date/time field value out of range')],
    ['Postgres shutting down (57P01)', 'transient', postgresError('57P01', 'terminating connection due to administrator command')],
    ['a refused connection', 'transient', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' })],
    ['a declared transient failure', 'transient', new TransientError('Redis is loading')],
    ['a Postgres unique violation (23505: not a data exception; a bug to look at)', 'unexpected', postgresError('23505', 'duplicate key value')],
    ['a plain bug', 'unexpected', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a thrown string', 'unexpected', 'boom'],
  ])('%s → %s', (_what, kind, error) => {
    expect(classifyFailure(error)).toBe(kind);
  });
});
