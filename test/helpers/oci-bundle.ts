export * from '../../src/oci/busybox-bundle.js';
