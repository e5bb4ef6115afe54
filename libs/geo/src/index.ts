export * from './fence';
export * from './prepared-fence';
