export * from './channel-directory';
export * from './channels.module';
