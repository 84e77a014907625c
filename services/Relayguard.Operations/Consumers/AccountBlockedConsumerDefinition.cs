namespace Relayguard.Operations.Consumers;

public sealed class AccountBlockedConsumerDefinition() : OperationsConsumerDefinition<AccountBlockedConsumer>("operations-account-blocked");
