export { startMockLlm, defaultMockModels } from './mock-llm-server.js';
export { parseFaultMarkers } from './fault-marker.js';
export { demoAnswer, isPromptGeneration } from './demo-answer.js';
export { defaultFlavor, mockFlavors, type LitellmTransport, type MockFlavor } from './flavor.js';
export { defaultDeploymentId } from './litellm-deployments.js';
export type {
  ClientGoneEvent,
  MockErrorKind,
  MockFault,
  MockLitellmOptions,
  MockLlm,
  MockLlmOptions,
  MockModel,
  RecordedRequest,
} from './mock-llm-types.js';
