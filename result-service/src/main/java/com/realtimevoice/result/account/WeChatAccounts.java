package com.realtimevoice.result.account;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** openid -> the product's own user id, created on first login and stable afterwards. */
@Repository
class WeChatAccounts {

    private final JdbcClient jdbc;

    WeChatAccounts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The user id of this openid, creating it on first login; concurrent first logins agree on one id. */
    @Transactional
    String userIdFor(WeChatClient.WeChatIdentity identity) {
        Timestamp now = Timestamp.from(Instant.now());
        // The insert's user id only sticks for the first login; a duplicate key keeps the existing one.
        jdbc.sql("""
                INSERT INTO wechat_account (openid, user_id, unionid, created_at, last_login_at)
                VALUES (:openid, :userId, :unionid, :now, :now)
                ON DUPLICATE KEY UPDATE last_login_at = :now, unionid = COALESCE(:unionid, unionid)
                """)
                .param("openid", identity.openid())
                .param("userId", "wx-" + UUID.randomUUID())
                .param("unionid", identity.unionid())
                .param("now", now)
                .update();
        return jdbc.sql("SELECT user_id FROM wechat_account WHERE openid = :openid")
                .param("openid", identity.openid())
                .query(String.class)
                .single();
    }
}
