import { ZodPipe } from '@app/http';
import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IngestAppLocation } from './ingest-app-location.usecase';
import { AppLocationBody } from './location.dto';

@ApiTags('locations')
@ApiBearerAuth()
@Controller('v1/locations')
export class LocationsController {
  constructor(private readonly ingestAppLocation: IngestAppLocation) {}

  /** 202 once Kafka acknowledged the fix; the visit, if any, is decided downstream. */
  @Post()
  @HttpCode(202)
  report(@Headers('authorization') authorization: string | undefined, @Body(new ZodPipe(AppLocationBody)) body: AppLocationBody): Promise<{ id: string }> {
    const key = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1] ?? null;
    return this.ingestAppLocation.execute(key, body, new Date());
  }
}
