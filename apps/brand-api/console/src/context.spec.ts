import { pathOf, routeOf } from './context';

describe('console routes', () => {
  it('reads and writes the client routes under /console', () => {
    expect(routeOf('/console')).toEqual({ view: 'map' });
    expect(routeOf('/console/offers')).toEqual({ view: 'offers' });
    expect(routeOf('/console/results/abc')).toEqual({ view: 'results', offerId: 'abc' });
    expect(routeOf('/console/nowhere')).toEqual({ view: 'map' });
    for (const path of ['/console/', '/console/offers', '/console/results/abc', '/console/decisions']) expect(pathOf(routeOf(path))).toBe(path);
  });
});
