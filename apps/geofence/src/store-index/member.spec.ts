import fc from 'fast-check';
import { circleOfMember, memberOf, parseMember } from './store-index.repository';

describe('store members', () => {
  const at = { lat: 48.8566, lng: 2.3522 };

  it('carries a circle exactly: every double comes back as it was', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -90, max: 90, noNaN: true }),
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.double({ min: 1e-3, max: 5e6, noNaN: true }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        (lat, lng, radiusM, version) => {
          const member = memberOf({ storeId: 's-1', brandId: 'b', version, location: { lat, lng }, geofence: { type: 'circle', radiusM } });
          const parsed = parseMember(member);
          expect(parsed.storeId).toBe('s-1');
          expect(parsed.version).toBe(version);
          const circle = circleOfMember(member, parsed.circleAt, parsed.storeId, 'b', parsed.version);
          expect(circle?.location.lat).toBe(lat + 0); // -0 is written as 0
          expect(circle?.location.lng).toBe(lng + 0);
          expect(circle?.geofence).toEqual({ type: 'circle', radiusM });
        },
      ),
    );
  });

  it('keeps a polygon to its id and version, and reads members of the older form and ids with an @', () => {
    const polygon = memberOf({ storeId: 's-2', brandId: 'b', version: 7, location: at, geofence: { type: 'polygon', coordinates: [[[2, 48], [3, 48], [2, 49], [2, 48]]] } });
    expect(polygon).toBe('s-2@7');
    expect(parseMember(polygon)).toEqual({ storeId: 's-2', version: 7, circleAt: -1 });
    expect(parseMember('a@b@3')).toEqual({ storeId: 'a@b', version: 3, circleAt: -1 });
    expect(parseMember('a@b@3#1,2,3')).toEqual({ storeId: 'a@b', version: 3, circleAt: 6 });
  });

  it('refuses a circle that does not parse, so that its snapshot is read instead', () => {
    for (const member of ['s@1#48.1,2.3', 's@1#48.1,x,30', 's@1#48.1,2.3,0', 's@1#']) {
      const { circleAt } = parseMember(member);
      expect(circleOfMember(member, circleAt, 's', 'b', 1)).toBeNull();
    }
  });
});
