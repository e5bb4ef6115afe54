export * from './fence';
export * from './prepared-fence';
export * from './opening-hours';
