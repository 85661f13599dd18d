/**
 * The demo blue/green service as the test matrix starts it: the jest project decides the status
 * shape (`full`, or only what seed 004 documents), so one test proves both (see jest.config.js).
 */
import { BlueGreenService, parseStatusShape, type BlueGreenServiceOptions, type StatusShape } from '../../src/demo/bluegreen-service';

export function statusShape(): StatusShape {
  return parseStatusShape(process.env['REWIND_TEST_STATUS_SHAPE']);
}

export function startTarget(options: Omit<BlueGreenServiceOptions, 'statusShape'>): Promise<BlueGreenService> {
  return BlueGreenService.start({ ...options, statusShape: statusShape() });
}
