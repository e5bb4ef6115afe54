export * from './channel-directory';
export * from './channels.module';
export * from './links';
