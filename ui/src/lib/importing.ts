// Bringing an export back in from the window: a `.har` or `.ndjson` file dropped on it or
// picked under Export → Import. The engine stores it through the capture pipeline and tells
// the live stream (`requests.imported`), so the list re-reads by itself.
import { api, ApiError, type ImportReport } from './api';
import { toast } from './app.svelte';

/** The format a file's name says, or null (the engine then tells it from the content). */
export function formatOf(name: string): 'har' | 'ndjson' | null {
  const dot = name.lastIndexOf('.');
  const ext = dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
  if (ext === 'har') return 'har';
  if (ext === 'ndjson' || ext === 'jsonl') return 'ndjson';
  return null;
}

/** Whether a file looks like something to import (HAR, NDJSON, or JSON to sniff). */
export function importable(name: string): boolean {
  return formatOf(name) !== null || name.toLowerCase().endsWith('.json');
}

/** What an import did, in words. */
export function reportText(name: string, r: ImportReport): string {
  const parts = [`Imported ${r.imported} request${r.imported === 1 ? '' : 's'} from ${name}`];
  if (r.skipped > 0) parts.push(`${r.skipped} already stored, skipped`);
  if (r.deliveries > 0) parts.push(`${r.deliveries} deliveries queued`);
  return parts.join(' — ');
}

/** Imports each file in turn, saying how it went. */
export async function importFiles(files: Iterable<File>): Promise<void> {
  for (const file of files) {
    if (!importable(file.name)) {
      toast(`${file.name}: drop a .har or .ndjson export to import it`, 'error');
      continue;
    }
    try {
      toast(reportText(file.name, await api.importFile(file, formatOf(file.name))));
    } catch (e) {
      toast(`Cannot import ${file.name}: ${e instanceof ApiError ? e.message : String(e)}`, 'error');
    }
  }
}
