-- WeChat mini-program users: openid -> a stable internal user id, the subject of the product's tokens.
-- The openid never becomes the subject itself: tokens and transcripts carry an id that is the product's own.
-- session_key is not stored: it never leaves the code2Session call.
CREATE TABLE wechat_account (
    openid        VARCHAR(64)  NOT NULL,
    user_id       VARCHAR(64)  NOT NULL,
    unionid       VARCHAR(64),
    created_at    DATETIME(3)  NOT NULL,
    last_login_at DATETIME(3)  NOT NULL,
    PRIMARY KEY (openid),
    CONSTRAINT uq_wechat_account_user UNIQUE (user_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
