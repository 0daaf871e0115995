// Which image a container runs, from what its engine wrote into the OCI config: CRI-O's and
// containerd's CRI annotations name it (and give a digest); podman 4 puts nothing about the image
// in config.json (samples/oci-state/podman-prestart.json), so for podman the containers/storage
// record beside the bundle says (podmanImageOf). `runc` alone names no image; for Docker none is read.
// Annotations are hostile (`podman run --annotation` sets any of them): values are kept only when
// they look like an image reference or digest, bounded, and the result is advisory (drift notes).
// Pure except podmanImageOf, which reads one root-owned file. Zod-free: the hook uses it.
import { lstatSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface ImageRef {
  /** Reference as the engine names it: `docker.io/library/nginx:1.25`, `quay.io/x/y@sha256:…`. */
  name?: string;
  /** `sha256:<64 hex>`: the repo digest, or the image id where the engine gives only that. */
  digest?: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._\-/:@+]{0,511}$/;
const DIGEST = /^(sha256:)?([a-f0-9]{64})$/;

/** `sha256:<hex>` from a digest, a bare 64-hex image id, or a reference ending in `@sha256:<hex>`. */
export function digestOf(value: string | undefined): string | undefined {
  if (!value || value.length > 600) return undefined;
  const at = value.lastIndexOf('@');
  const m = DIGEST.exec(at >= 0 ? value.slice(at + 1) : value);
  return m ? `sha256:${m[2]}` : undefined;
}
/** An image reference as engines write them, or undefined (escapes, spaces, over 512 bytes). */
export const imageNameOf = (value: string | undefined): string | undefined => (value && NAME.test(value) ? value : undefined);
const nameOf = imageNameOf;

// https://github.com/cri-o/cri-o pkg/annotations; containerd pkg/cri/annotations.
const CRIO_NAME = 'io.kubernetes.cri-o.ImageName';
const CRIO_IMAGE = 'io.kubernetes.cri-o.Image';
const CRIO_REF = 'io.kubernetes.cri-o.ImageRef';
const CRIO_REPO_DIGESTS = 'io.kubernetes.cri-o.ImageRepoDigests';
const CRI_NAME = 'io.kubernetes.cri.image-name';
const CRI_REF = 'io.kubernetes.cri.image-ref';

/** The image the engine's annotations name; `{}` when they name none (podman, Docker, runc alone). */
export function imageOf(annotations: Readonly<Record<string, string>> | undefined): ImageRef {
  const a = annotations ?? {};
  const get = (k: string): string | undefined => (Object.hasOwn(a, k) && typeof a[k] === 'string' ? a[k] : undefined);
  const name = nameOf(get(CRIO_NAME)) ?? nameOf(get(CRI_NAME)) ?? nameOf(get(CRIO_IMAGE));
  const repoDigest = (get(CRIO_REPO_DIGESTS) ?? '').split(',').map((s) => digestOf(s.trim())).find(Boolean);
  const digest = repoDigest ?? digestOf(get(CRI_REF)) ?? digestOf(get(CRIO_REF)) ?? digestOf(name);
  return { ...(name ? { name } : {}), ...(digest ? { digest } : {}) };
}

const MAX_STORAGE_BYTES = 16 << 20;

/**
 * podman's image for a container, from containers/storage's `containers.json` (the bundle is
 * `<storage>/overlay-containers/<id>/userdata`, the file is `<storage>/overlay-containers/containers.json`):
 * each record holds `image` (the image id) and `metadata` (JSON with `image-name`). Read only when
 * the file is root-owned, a regular file and not writable by others; `{}` otherwise.
 */
export function podmanImageOf(bundle: string | undefined, id: string): ImageRef {
  if (!bundle || basename(bundle) !== 'userdata' || basename(dirname(bundle)) !== id) return {};
  const file = join(dirname(dirname(bundle)), 'containers.json');
  try {
    const st = lstatSync(file);
    if (!st.isFile() || st.uid !== 0 || st.mode & 0o022 || st.size > MAX_STORAGE_BYTES) return {};
    const list = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (!Array.isArray(list)) return {};
    const rec = list.find((c): c is { id: string; image?: unknown; metadata?: unknown } => !!c && typeof c === 'object' && (c as { id?: unknown }).id === id);
    if (!rec) return {};
    let name: string | undefined;
    if (typeof rec.metadata === 'string') {
      const meta = JSON.parse(rec.metadata) as { 'image-name'?: unknown };
      if (typeof meta['image-name'] === 'string') name = nameOf(meta['image-name']);
    }
    const digest = typeof rec.image === 'string' ? digestOf(rec.image) : undefined;
    return { ...(name ? { name } : {}), ...(digest ? { digest } : {}) };
  } catch {
    return {};
  }
}

/**
 * podman's storage record first (a user can set any annotation with `podman run --annotation`,
 * not the record podman keeps), then the engine's annotations (CRI-O and containerd write theirs
 * over the pod's).
 */
export function imageOfContainer(annotations: Readonly<Record<string, string>> | undefined, bundle: string | undefined, id: string): ImageRef {
  const stored = podmanImageOf(bundle, id);
  return stored.digest || stored.name ? stored : imageOf(annotations);
}
