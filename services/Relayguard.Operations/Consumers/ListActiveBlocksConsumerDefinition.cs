namespace Relayguard.Operations.Consumers;

public sealed class ListActiveBlocksConsumerDefinition() : OperationsConsumerDefinition<ListActiveBlocksConsumer>("operations-list-active-blocks");
