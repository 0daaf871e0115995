// The fleet document: one host's proposals, as `proposals export` writes them and `proposals import`
// reads them on another host (or a central one). Everything in it came from another machine, so it
// is validated with bounds before anything is merged. Shaped like a Kubernetes object (apiVersion,
// kind, one item per profile content hash) so that the DaemonSet can publish each item as an object.
import { z } from 'zod';
import { fleetDocumentInvalid } from '../errors.js';
import { ContainerEvidence, Contribution, MAX_CONTAINERS, ProposalEvidence, ProposalStatus } from '../profile/proposal.js';

export const FLEET_API_VERSION = 'seccomp-tailor.io/v1alpha1';
export const FLEET_KIND = 'ProposalExport';
/** Bounds on hostile input: far above what a real host produces. */
export const MAX_ITEMS = 10_000;
export const MAX_PROFILE_BYTES = 1 << 20;
export const MAX_DOCUMENT_BYTES = 256 << 20;

/** A DNS-style name: usable as a Kubernetes label value and safe to print. */
export const HostName = z.string().min(1).max(253).regex(/^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/, 'a host name is letters, digits, ".", "_" and "-"');

export const FleetContribution = Contribution.extend({
  host: HostName,
  add: z.array(ProposalEvidence).max(4096),
  containers: z.array(ContainerEvidence).max(MAX_CONTAINERS),
});
export type FleetContribution = z.infer<typeof FleetContribution>;

export const FleetItem = z.object({
  profile: z.object({
    /** sha256 of `content`'s bytes: the key proposals are merged by. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** Where the exporting host keeps the file (the importing host may keep it elsewhere). */
    path: z.string().min(1).max(4096).regex(/^\//, 'an absolute path'),
    /** The profile's text, so that the importing host can compute the patch without the file. */
    content: z.string().max(MAX_PROFILE_BYTES),
  }),
  /** The exporting host's decision on its proposal (informational: each host decides for itself). */
  status: ProposalStatus,
  /** The exporting host's own evidence, and any it imported before, each under its origin host. */
  contributions: z.array(FleetContribution).min(1).max(1024),
});
export type FleetItem = z.infer<typeof FleetItem>;

export const FleetDocument = z.object({
  apiVersion: z.literal(FLEET_API_VERSION),
  kind: z.literal(FLEET_KIND),
  host: HostName,
  exportedAt: z.string().min(1).max(64),
  items: z.array(FleetItem).max(MAX_ITEMS),
});
export type FleetDocument = z.infer<typeof FleetDocument>;

export function parseFleetDocument(text: string, source: string): FleetDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw fleetDocumentInvalid(source, `not JSON (${(e as Error).message})`, e);
  }
  const r = FleetDocument.safeParse(json);
  if (!r.success) throw fleetDocumentInvalid(source, z.prettifyError(r.error).split('\n').slice(0, 4).join('; '), r.error);
  return r.data;
}

export const serializeFleetDocument = (d: FleetDocument): string => JSON.stringify(d, null, 2) + '\n';
