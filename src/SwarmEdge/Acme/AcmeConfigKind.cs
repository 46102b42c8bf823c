namespace SwarmEdge.Acme;

/// <summary>What a SwarmEdge config in the swarm holds: the value of its swarmedge.acme label.</summary>
internal enum AcmeConfigKind
{
    /// <summary>A certificate chain and its private key, for one host.</summary>
    Certificate,

    /// <summary>The lock of an order in progress for one host: exactly one issuer orders a name at a time.</summary>
    Order,

    /// <summary>The last failed order for one host and when the next may be placed.</summary>
    Failure,

    /// <summary>The issuer's ACME account (its key), so that a restarted issuer does not register again.</summary>
    Account,

    /// <summary>An operator's request (swarmedge acme renew) to order one host now, valid certificate or not.</summary>
    Renewal,
}
