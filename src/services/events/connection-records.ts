/**
 * Stored records of connections and API destinations, shared by their handlers (resources.ts)
 * and by delivery to API destinations (delivery.ts) without an import cycle.
 */
import type { ApiDestinationHttpMethod, ApiDestinationState, ConnectionAuthorizationType, ConnectionState, ConnectivityResourceParameters } from "../../generated/events.ts";

export interface StoredConnection {
  Name: string;
  ConnectionArn: string;
  Description?: string;
  AuthorizationType: ConnectionAuthorizationType;
  /** As given, secrets included (never returned). */
  AuthParameters: Record<string, any>;
  InvocationConnectivityParameters?: ConnectivityResourceParameters;
  KmsKeyIdentifier?: string;
  ConnectionState: ConnectionState;
  SecretArn: string;
  CreationTime: number;
  LastModifiedTime: number;
  LastAuthorizedTime: number;
}

export interface StoredApiDestination {
  Name: string;
  ApiDestinationArn: string;
  Description?: string;
  ConnectionArn: string;
  InvocationEndpoint: string;
  HttpMethod: ApiDestinationHttpMethod;
  InvocationRateLimitPerSecond: number;
  ApiDestinationState: ApiDestinationState;
  CreationTime: number;
  LastModifiedTime: number;
}
