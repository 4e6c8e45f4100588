import { useEffect, useState } from 'react';
import { systemApi, type NodeInfo } from '../api';

// The node's identity does not change while the portal is open: fetch it once per page load
// and share it between the header, the login page and the home page.
let cached: Promise<NodeInfo> | null = null;

export function loadNodeInfo(): Promise<NodeInfo> {
  if (!cached) {
    cached = systemApi.node().catch((e: unknown) => {
      cached = null; // let the next caller retry after a transient failure
      throw e;
    });
  }
  return cached;
}

export function useNodeInfo(): NodeInfo | null {
  const [node, setNode] = useState<NodeInfo | null>(null);
  useEffect(() => {
    let live = true;
    loadNodeInfo()
      .then((n) => live && setNode(n))
      .catch(() => {
        // The header simply shows no node name; pages that need the key report their own error.
      });
    return () => {
      live = false;
    };
  }, []);
  return node;
}
