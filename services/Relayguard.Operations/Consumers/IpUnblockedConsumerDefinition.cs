namespace Relayguard.Operations.Consumers;

public sealed class IpUnblockedConsumerDefinition() : OperationsConsumerDefinition<IpUnblockedConsumer>("operations-ip-unblocked");
