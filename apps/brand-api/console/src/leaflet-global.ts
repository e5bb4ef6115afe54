import L from 'leaflet';

// leaflet.markercluster is a classic plugin that extends the global `L`: publish it first.
(window as unknown as { L: typeof L }).L = L;

export default L;
