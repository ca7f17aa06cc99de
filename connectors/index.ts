// Kafka transport (the streams runtime's port over kafkajs).
export * from './kafka/index.js';
