import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC filter replaces every unknown error with a generic "Internal server error",
 * which would hide from KafkaEventServer whether a failure is invalid, permanent or transient.
 * This filter hands the original error on untouched. Apply it to every Kafka consumer.
 */
@Catch()
export class KafkaErrorPassthroughFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
