// Web Worker entry: trains tokenizers and prepares data off the main thread (see tokenizerProtocol.ts).
import { handleTokenizerRequest, type TokenizerRequest } from './tokenizerProtocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
scope.onmessage = (e: MessageEvent<TokenizerRequest>) => {
  handleTokenizerRequest(e.data, (message, transfer) => scope.postMessage(message, transfer ?? []));
};
