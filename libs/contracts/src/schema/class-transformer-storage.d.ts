// class-transformer ships its metadata storage without an ESM-visible declaration.
declare module 'class-transformer/cjs/storage.js' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
