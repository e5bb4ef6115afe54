export * from './fence';
