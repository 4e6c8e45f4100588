import { ApplicationListPage } from '../../components/sharing/ApplicationList';

export default function ApprovalsPage() {
  return <ApplicationListPage scope="approval" />;
}
