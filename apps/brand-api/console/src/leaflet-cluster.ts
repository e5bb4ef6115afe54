import L from './leaflet-global';
import 'leaflet.markercluster';

export default L;
