namespace Relayguard.Operations.Consumers;

public sealed class IpBlockedConsumerDefinition() : OperationsConsumerDefinition<IpBlockedConsumer>("operations-ip-blocked");
